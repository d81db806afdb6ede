#pragma once
// The one script of a v3sim page (no network, no libraries): zoom and pan of
// the timelines (svg.tl: wheel zooms about the pointer, drag pans, buttons
// of .tlbar), the time axis redrawn for the visible window with the same
// rule as report/time_axis.cpp, and a hover box with an op's <title>.
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
var groups={};
document.querySelectorAll('svg.tl').forEach(function(svg){
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
    svg.v3items.forEach(function(e){
      var s=+e.dataset.s,f=+e.dataset.e,w=(f-s)*px;
      if(e.tagName==='text'){e.setAttribute('x',((s+f)/2-t0)*px);e.style.display=w>=e.textContent.length*6+4?'':'none';}
      else{e.setAttribute('x',(s-t0)*px);e.setAttribute('width',e.classList.contains('bg')?Math.max(w,0):Math.max(w,0.8));}
    });
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
window.addEventListener('mousemove',function(ev){
  if(drag){var G=drag.G,r=drag.svg.getBoundingClientRect(),sx=r.width/drag.svg.width.baseVal.value;
    view(G,drag.t0-(ev.clientX-drag.x)/sx/(+drag.svg.dataset.plot)*(G.t1-G.t0),G.t1-G.t0);}
  if(!box)return;
  var t=ev.target,tip=t&&t.querySelector?t.querySelector(':scope > title'):null;
  if(tip&&t.closest('svg.tl,svg.chart')){box.textContent=tip.textContent;box.style.display='block';
    box.style.left=(ev.clientX+14)+'px';box.style.top=(ev.clientY+14)+'px';}
  else box.style.display='none';
});
window.addEventListener('mouseup',function(){drag=null;});
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
