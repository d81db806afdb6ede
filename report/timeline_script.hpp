#pragma once
// The one script of a v3sim page (no network, no libraries): the timelines'
// ops drawn from the JSON records after each svg.tl (report/timeline_svg.cpp),
// zoom and pan (wheel zooms about the pointer, drag pans, buttons of
// .tlbar), the time axis redrawn for the visible window with the same rule
// as report/time_axis.cpp, op labels drawn where they fit (data-l), and a
// hover box with an op's text (data-t, or data-u: a template of the
// timeline's and its arguments; its times added where the timeline leaves
// them out; merged ops' text from their counts) or a chart mark's <title>.
// Script errors are written into #errors; when the script has run it sets
// document.body.dataset.ok = "1" (the headless-browser test reads both).
#include <string>

namespace v3sim::report {

inline const char* page_script() {
  return R"JS(<script>
(function(){
var errs=document.getElementById('errors');
function fail(m){if(errs)errs.textContent+=m+'\n';}
window.addEventListener('error',function(e){fail('Uncaught '+e.message);});
try{
var NS='http://www.w3.org/2000/svg';
function niceStep(raw){var p=Math.pow(10,Math.floor(Math.log10(raw)));var f=raw/p;return (f<1.5?1:f<3?2:f<7?5:10)*p;}
function axis(t0,t1,target){
  var span=t1-t0,step=niceStep(span/target),sec=span>=1000,su=sec?step/1000:step;
  var dec=Math.max(0,Math.ceil(-Math.log10(su)-1e-9)),ticks=[];
  for(var k=Math.ceil(t0/step-1e-9);;k++){var t=k*step;if(t>t1+1e-9*span)break;ticks.push(t);}
  return {sec:sec,dec:dec,ticks:ticks};
}
function label(a,t){var v=a.sec?t/1000:t;if(Math.abs(v)<0.5*Math.pow(10,-a.dec))v=0;return v.toFixed(a.dec);}
function el(tag,attrs,text){var e=document.createElementNS(NS,tag);for(var k in attrs)e.setAttribute(k,attrs[k]);if(text!==undefined)e.textContent=text;return e;}
// The ops of a timeline from its records: the rects the server would draw.
function build(svg){
  var d=svg.nextElementSibling;
  svg.v3tips=[];
  if(!d||!d.classList.contains('tl-data'))return;
  var data=JSON.parse(d.textContent),plot=svg.querySelector('svg.plot'),px=(+svg.dataset.plot)/(+svg.dataset.scale);
  svg.v3tips=data.tips;svg.v3timed=data.timed;svg.v3kinds=data.kinds;svg.v3fills=data.fills;
  data.lanes.forEach(function(L){L.ops.forEach(function(o){
    var a={'class':(o[2]===2?'agg ':o[2]===1?'op2 ':'op ')+L.role,x:(o[0]*px).toFixed(1),y:L.y,
      width:Math.max((o[1]-o[0])*px,0.8).toFixed(1),height:L.h,fill:data.fills[o[3]]};
    if(o[2]===2){a['fill-opacity']=o[8];}
    a['data-s']=o[0];a['data-e']=o[1];
    if(o[2]===2){a['data-n']=o[4];a['data-b']=o[5];a['data-k']=o[6];a['data-p']=o[7];}
    else{if(o[4])a['data-l']=o[4];if(o[5])a['data-t']=o[5];if(o[6])a['data-u']=o[6];}
    var r=el('rect',a);
    if(o[2]===2&&o[9]){r.v3sub=o[9];r.v3role=L.role;}
    plot.appendChild(r);
  });});
}
var groups={};
document.querySelectorAll('svg.tl').forEach(function(svg){
  build(svg);
  var g=svg.dataset.group,G=groups[g]||(groups[g]={svgs:[],scale:0,t0:0,t1:0,pending:false});
  G.svgs.push(svg);G.scale=Math.max(G.scale,+svg.dataset.scale);G.t1=G.scale;
  svg.v3items=Array.prototype.slice.call(svg.querySelectorAll('[data-s]'));

  svg.v3title=(svg.querySelector('g.axis text.axis-title')||{}).textContent||'time (ms)';
});
function layout(G){
  G.pending=false;
  G.svgs.forEach(function(svg){
    var left=+svg.dataset.left,plot=+svg.dataset.plot,top=+svg.dataset.top,bottom=+svg.dataset.bottom;
    var px=plot/(G.t1-G.t0),t0=G.t0;
    // A live loop: ops split out of a run during it are placed in it too.
    for(var i=0,items=svg.v3items;i<items.length;i++)(function(e){
      var s=+e.dataset.s,f=+e.dataset.e,w=(f-s)*px;
      if(e.v3sub){var split=w>=2*(e.v3sub.length/4);
        if(split&&!e.v3ops)e.v3ops=splitRun(svg,e);
        e.style.display=split?'none':'';
        if(e.v3ops)e.v3ops.forEach(function(c){c.style.display=split?'':'none';});}
      e.setAttribute('x',(s-t0)*px);e.setAttribute('width',e.classList.contains('bg')?Math.max(w,0):Math.max(w,0.8));
      var l=e.v3label,text=l?l.textContent:e.dataset.l;
      if(text===undefined)return;
      var fits=w>=text.length*6+4;
      if(!l){if(!fits)return;
        var h=+e.getAttribute('height');
        l=el('text',{'class':h<14?'lbl s':'lbl',y:+e.getAttribute('y')+h/2},text);
        e.after(l);e.v3label=l;}
      l.setAttribute('x',((s+f)/2-t0)*px);l.style.display=fits?'':'none';
    })(items[i]);
    var a=axis(G.t0,G.t1,6),g=el('g',{'class':'axis','font-size':'10',fill:'#444'});
    a.ticks.forEach(function(t){
      var x=left+(t-t0)*px;
      g.appendChild(el('line',{x1:x,x2:x,y1:top,y2:bottom,stroke:'#ddd'}));
      g.appendChild(el('line',{x1:x,x2:x,y1:bottom,y2:bottom+4,stroke:'#444'}));
      g.appendChild(el('text',{x:x,y:bottom+14,'text-anchor':'middle'},label(a,t)));
    });
    g.appendChild(el('line',{x1:left,x2:left+plot,y1:bottom,y2:bottom,stroke:'#444'}));
    var title=svg.v3title.replace(/\((ms|s)\)$/,'('+(a.sec?'s':'ms')+')');
    g.appendChild(el('text',{'class':'axis-title',x:left+plot/2,y:bottom+28,'text-anchor':'middle','font-size':'11'},title));
    svg.querySelector('g.axis').replaceWith(g);
  });
}
// A merged run's ops, drawn once a zoom gives them room: rects of class
// "sub" after the run's, laid out with the rest from then on.
function splitRun(svg,e){
  var ops=[],q=e.v3sub,s0=+e.dataset.s,y=e.getAttribute('y'),h=e.getAttribute('height'),at=e;
  for(var i=0;i<q.length;i+=4){
    var s=s0+q[i],c=el('rect',{'class':'sub '+e.v3role,y:y,height:h,fill:svg.v3fills[q[i+2]],
      'data-s':s,'data-e':s+q[i+1],'data-t':svg.v3kinds[q[i+3]]});
    at.after(c);at=c;ops.push(c);svg.v3items.push(c);
  }
  return ops;
}
function later(G){if(!G.pending){G.pending=true;requestAnimationFrame(function(){layout(G);});}}
function view(G,t0,w){
  w=Math.min(Math.max(w,G.scale*1e-6),G.scale);
  t0=Math.min(Math.max(t0,0),G.scale-w);G.t0=t0;G.t1=t0+w;later(G);
}
function zoomAt(G,tc,f){view(G,tc-(tc-G.t0)*f,(G.t1-G.t0)*f);}
function timeAt(svg,G,clientX){
  var r=svg.getBoundingClientRect(),sx=r.width/svg.width.baseVal.value;
  var x=(clientX-r.left)/sx-(+svg.dataset.left);
  return G.t0+Math.min(Math.max(x/(+svg.dataset.plot),0),1)*(G.t1-G.t0);
}
var drag=null,box=document.getElementById('hoverbox');
Object.keys(groups).forEach(function(name){
  var G=groups[name];
  G.svgs.forEach(function(svg){
    svg.addEventListener('wheel',function(ev){ev.preventDefault();zoomAt(G,timeAt(svg,G,ev.clientX),Math.pow(1.0015,ev.deltaY));},{passive:false});
    svg.addEventListener('mousedown',function(ev){drag={G:G,x:ev.clientX,t0:G.t0,svg:svg};ev.preventDefault();});
  });
  document.querySelectorAll('.tlbar').forEach(function(bar){
    if(bar.dataset.group!==name)return;
    bar.querySelectorAll('button').forEach(function(b){b.addEventListener('click',function(){
      var z=b.dataset.z,c=(G.t0+G.t1)/2;
      if(z==='reset')view(G,0,G.scale);else zoomAt(G,c,z==='in'?0.5:2);
    });});
  });
});
function msText(ms){return ms>=1000?(ms/1000).toFixed(4)+' s':(+ms.toPrecision(4))+' ms';}
// The text of a timeline op: its data-t, or its data-u (a template of the
// timeline's data-tips and its arguments), then its times where the
// timeline leaves them to the page; a merged run's from its counts.
function opText(t){
  var d=t.dataset,svg=t.closest('svg.tl');
  if(d.n!==undefined)return d.n+' ops, each narrower than a pixel, merged: '+msText(+d.s)+' to '+msText(+d.e)+
    ' (busy '+d.b+'% of it), mostly '+d.k+' ('+d.p+'% of their time)';
  var text=d.t;
  if(d.u!==undefined){var a=d.u.split('|');
    text=(svg.v3tips[+a[0]]||'').replace(/\{(\d+)\}/g,function(m,i){return a[+i+1];});}
  if(text===undefined)return null;
  if(svg.v3timed||t.classList.contains('sub'))text+=(text?'\n':'')+'start '+(+d.s).toFixed(4)+' ms, duration '+(d.e-d.s).toFixed(4)+' ms';
  return text;
}
window.addEventListener('mousemove',function(ev){
  if(drag){var G=drag.G,r=drag.svg.getBoundingClientRect(),sx=r.width/drag.svg.width.baseVal.value;
    view(G,drag.t0-(ev.clientX-drag.x)/sx/(+drag.svg.dataset.plot)*(G.t1-G.t0),G.t1-G.t0);}
  if(!box)return;
  var t=ev.target,text=null;
  if(t&&t.closest&&t.closest('svg.tl')&&t.dataset&&t.dataset.s!==undefined&&!t.classList.contains('bg'))text=opText(t);
  else if(t&&t.closest&&t.closest('svg.tl,svg.chart')){var tip=t.querySelector(':scope > title');if(tip)text=tip.textContent;}
  if(text){box.textContent=text;box.style.display='block';
    box.style.left=(ev.clientX+14)+'px';box.style.top=(ev.clientY+14)+'px';}
  else box.style.display='none';
});
window.addEventListener('mouseup',function(){drag=null;});
Object.keys(groups).forEach(function(n){layout(groups[n]);});
// Page address ending in #zoom-selftest: show [25%, 35%] of every group's
// scale at once, so a headless browser can check the re-laid-out axis.
if(location.hash==='#zoom-selftest'){Object.keys(groups).forEach(function(n){var G=groups[n];view(G,G.scale*0.25,G.scale*0.1);layout(G);});document.body.dataset.zoomed='1';}
document.body.dataset.timelines=String(document.querySelectorAll('svg.tl').length);
document.body.dataset.ok='1';
}catch(e){fail('Uncaught '+e);}
})();
</script>
)JS";
}

}  // namespace v3sim::report
